import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{core,server,terminal,drivers,simulator,cli,web,bench,platform}/**/*.test.{ts,tsx}', 'tests/**/*.test.ts'],
    // Integration tests start real servers and child processes; 2 cores do not gain from more workers.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
