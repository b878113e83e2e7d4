/** The baseline: a bare express endpoint that parses JSON and answers JSON, nothing else. */
import express from 'express';

const app = express();
app.use(express.json());
app.post('/echo', (req, res) => {
  res.json({ ok: true, amountFen: (req.body as { amountFen?: number }).amountFen ?? 0 });
});
const srv = app.listen(0, '127.0.0.1', () => {
  const a = srv.address();
  process.stdout.write(`listening ${typeof a === 'object' && a ? a.port : 0}\n`);
});
