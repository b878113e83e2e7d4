/**
 * When each terminal was last heard from, in memory only: writing the state file per request would
 * cost a whole-file rewrite (DESIGN.md), and a restart forgetting it is harmless (it refills in seconds).
 */
export class TerminalPresence {
  private seen = new Map<string, number>();
  private sockets = new Map<string, number>();

  seenAt(terminalId: string, at: Date): void {
    this.seen.set(terminalId, at.getTime());
  }
  connected(terminalId: string, at: Date): void {
    this.sockets.set(terminalId, (this.sockets.get(terminalId) ?? 0) + 1);
    this.seenAt(terminalId, at);
  }
  disconnected(terminalId: string, at: Date): void {
    const n = (this.sockets.get(terminalId) ?? 1) - 1;
    if (n > 0) this.sockets.set(terminalId, n);
    else this.sockets.delete(terminalId);
    this.seenAt(terminalId, at);
  }
  lastSeen(terminalId: string): Date | undefined {
    const ms = this.seen.get(terminalId);
    return ms === undefined ? undefined : new Date(ms);
  }
  /** Connected over socket.io now, or called the API within the last `withinMs`. */
  isOnline(terminalId: string, now: Date, withinMs = 5 * 60_000): boolean {
    if (this.sockets.has(terminalId)) return true;
    const ms = this.seen.get(terminalId);
    return ms !== undefined && now.getTime() - ms <= withinMs;
  }
}
