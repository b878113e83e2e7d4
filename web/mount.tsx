/** Renders a page's root component, replacing the shell's "loading" placeholder. */
import { render, type ComponentChild } from 'preact';

export function mount(app: ComponentChild): void {
  const root = document.getElementById('app')!;
  root.textContent = '';
  render(app, root);
}
