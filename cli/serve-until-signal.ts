/** Keeps a long-running command alive until SIGINT/SIGTERM, then closes what it started and exits. */
export async function serveUntilSignal(close: () => Promise<void>): Promise<never> {
  const stop = async () => {
    await close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise<never>(() => {});
}
