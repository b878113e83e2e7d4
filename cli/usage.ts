/**
 * What `huika <command> --help` prints: one block per command, flags as each command's parser takes
 * them. tests/integration/cli-help.test.ts asks every command in cli/main.ts for it.
 */
export const USAGE: Record<string, string> = {
  server: `usage: huika server [--port N] [--host H] [--data DIR] [--demo] [--log-level L] [--db URL] [--redis URL] [--restore-from-backup]
  Runs the central server (API, portals, administration).
  --port N        port to listen on (HUIKA_PORT, default 8080; 0 picks a free one)
  --host H        address to listen on (HUIKA_HOST, default 127.0.0.1)
  --data DIR      data directory: ledger, state, secrets (HUIKA_DATA, default .huika/server)
  --demo          load the demo data into an empty store; demo passwords work only with this (HUIKA_DEMO=1)
  --log-level L   pino level: fatal, error, warn, info, debug, trace, silent (HUIKA_LOG_LEVEL, default info)
  --db URL        keep everything in PostgreSQL (postgres://…) instead of the embedded store (DATABASE_URL)
  --redis URL     let instances sharing one --db share events and rate limits (REDIS_URL)
  --restore-from-backup
                  you restored --data from a backup on purpose: start although the ledger is older than
                  the head the server last acknowledged (ledger.head), or state.json / secrets.json is
                  missing; the start is recorded in restores.jsonl (without it such a start is refused)
`,
  terminal: `usage: huika terminal --server URL [--pairing-code C] [--port N] [--host H] [--data DIR] [--simulate] [--config FILE] [--log-level L]
  Runs a store terminal: the cashier page, the local API for the POS, devices, offline queue.
  --server URL        the central server (HUIKA_SERVER_URL)
  --pairing-code C    the one-time code, needed on the first start only (HUIKA_PAIRING_CODE)
  --port N            local port (HUIKA_TERMINAL_PORT, default 8090)
  --host H            listen address; the local API has no login, keep it on loopback (default 127.0.0.1)
  --data DIR          data directory: enrolment, snapshot, outbox (HUIKA_TERMINAL_DATA, default .huika/terminal)
  --simulate          fake scanner, swipe readers and keyboard wedge instead of real devices (HUIKA_SIMULATE=1)
  --config FILE       JSON file with the same keys, plus devices and offline limits (HUIKA_TERMINAL_CONFIG)
  --log-level L       pino level (default info)
`,
  start: `usage: huika start [--port N] [--terminal-port N] [--data DIR] [--log-level L]
  What \`npm start\` runs: a demo server and a simulated terminal at 民贸公司 康定店, and the URLs to open.
  --port N            server port (default 8080)
  --terminal-port N   terminal port (default 8090)
  --data DIR          where both keep their data (default .huika/demo; delete it to start again)
  --log-level L       pino level (default warn)
`,
  'member-qr': `usage: huika member-qr MEMBER_NO --data DIR [--no-draw]
  Prints a fresh member QR token (valid 60 s, once) made with the server's keys, and draws it.
  --data DIR     the server's data directory (its secrets.json signs the token)
  --no-draw      print the token only
`,
  bench: `usage: huika bench [--seconds N] [--connections N] [--members N] [--redemptions N] [--history N] [--soak-seconds N]
                   [--qr-frames N] [--scans N] [--pg-members N] [--soak-terminals-seconds N] [--soak-terminals N]
                   [--only PARTS] [--write-docs]
  Measures quote and durable-redemption throughput and latency against a bare express endpoint, store
  open time, scan-to-discount on the cashier page, lost-card push latency and the camera QR decode rate.
  --seconds N        length of each load run (default 5)
  --connections N    concurrent HTTP connections (default 16)
  --members N        members in the generated store (default 100000)
  --redemptions N    redemptions in the store-open measurement (default 1000000)
  --qr-frames N      camera frames decoded (default 20)
  --scans N          simulated scans on the cashier page (default 30)
  --history N        past redemptions of one member in the quote-with-history run (default 100000)
  --soak-seconds N   length of the long-heap soak of quotes and redemptions (default 120)
  --pg-members N     members in the PostgreSQL city database (default 3600000; made once as
                     huika_bench_city[_N] on HUIKA_BENCH_PG, reused while complete)
  --soak-terminals-seconds N  length of the 200-terminal soak with a SIGKILLed instance (default 300)
  --soak-terminals N terminals in that soak (default 200)
  --only PARTS       some of http,history,soak,memory,scale,cashier,qr,pg,instances,soak-terminals,adminwrite
  --write-docs       write the figures and charts into docs/ (docs/BENCHMARKS.md, docs/bench-*.svg)
`,
  devices: `usage: huika devices [--json] [--udev-rules [--group G]] [--config FILE]
  Lists HID devices (or says in one line why it cannot), marking the ones the terminal's config opens.
  --json          one JSON object per device
  --udev-rules    print udev rules giving the configured devices' hidraw nodes to a group
  --group G       the group for --udev-rules (default plugdev)
  --config FILE   the terminal's JSON config whose devices to mark or write rules for
`,
  decode: `usage: huika decode --as hid-keyboard|hid-pos|msr-hid|msr-text|qr-image FILE [--reveal]
  Decodes what a device sent and prints one JSON line per code read: {"type","data"}, or {"error":{…}}.
  --as KIND   hid-keyboard, hid-pos, msr-hid: hid-recorder captures ("E: <seconds> <n> <hex…>" lines);
              msr-text: what a keyboard-emulation reader types, one swipe a line; qr-image: a PNG frame
  --reveal    print card numbers whole (masked to first 6 and last 4 otherwise)
`,
  simulate: `usage: huika simulate scan|load|capture [options]
  huika simulate scan --terminal URL --amount FEN (--member NO | --card PAN | --swipe PAN | --qr TEXT) [--via DEVICE] [--confirm]
      Starts a checkout on a running terminal and presents the credential; --confirm redeems the quote.
      --via hid-pos|hid-keyboard|msr-hid|msr-keyboard makes that simulated device (terminal started with
      --simulate) send the bytes the real one would. A swipe reader takes the card's track text, sentinels
      included: --swipe PAN makes ";PAN=2912101?" (track 2) and a track 1 "%BPAN^NAME^2912101?".
  huika simulate load --server URL [--stores s-minmao-1,…] [--checkouts N]
      Enrols one terminal per store and runs N checkouts each against a server (default 50), then a summary.
  huika simulate capture --device hid-keyboard|hid-pos|msr-hid --text TEXT [--seed N]
      Prints the hid-recorder capture that device would produce for TEXT (for huika decode and tests).
`,
  'migrate-store': `usage: huika migrate-store --from DIR --to URL
  Copies an embedded data directory into an empty PostgreSQL database, checks counts and the hash chain,
  shows progress, and refuses a target that is not empty.
  --from DIR   the embedded store's data directory
  --to URL     postgres://… of the empty target database
`,
};

export const wantsHelp = (argv: readonly string[]) => {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
};
