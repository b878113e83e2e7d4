import { describe, expect, it } from 'vitest';
import { pathOf, subtreeOf } from './org-tree.ts';

const orgs = [
  { id: 'org-sc', parentId: null },
  { id: 'org-gz', parentId: 'org-sc' },
  { id: 'org-kd', parentId: 'org-gz' },
  { id: 'org-ld', parentId: 'org-gz' },
  { id: 'org-sczz', parentId: 'org-sc' },
];

describe('org tree', () => {
  it('gives a union and everything below it', () => {
    expect([...subtreeOf(orgs, 'org-gz')].sort()).toEqual(['org-gz', 'org-kd', 'org-ld']);
    expect(subtreeOf(orgs, 'org-sc').size).toBe(5);
    expect([...subtreeOf(orgs, 'org-kd')]).toEqual(['org-kd']);
  });

  it('gives the path up to the root, nearest first', () => {
    expect(pathOf(orgs, 'org-kd')).toEqual(['org-kd', 'org-gz', 'org-sc']);
    expect(pathOf(orgs, 'nobody')).toEqual([]);
  });

  it('does not loop on a damaged tree with a cycle', () => {
    const cyclic = [
      { id: 'a', parentId: 'b' },
      { id: 'b', parentId: 'a' },
    ];
    expect(pathOf(cyclic, 'a')).toEqual(['a', 'b']);
    expect([...subtreeOf(cyclic, 'a')].sort()).toEqual(['a', 'b']);
  });
});
