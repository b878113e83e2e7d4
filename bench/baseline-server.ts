/**
 * The baseline: a bare express endpoint that parses JSON and answers JSON, nothing else. The answer has
 * the shape and size of a quote at 小龙坎 (about 375 bytes, one line), so the ratio compares the work
 * around the answer, not the bytes of it.
 */
import express from 'express';

const app = express();
app.use(express.json());
app.post('/echo', (req, res) => {
  const amountFen = (req.body as { amountFen?: number }).amountFen ?? 0;
  res.json({
    quoteId: 'q-baseline0000000000000',
    expiresAt: new Date().toISOString(),
    eligible: true,
    reasons: [],
    skipped: [],
    lines: [
      { agreementId: 'a-xlk', agreementVersion: 1, title: '会员9折', discountFen: 1280, funding: { merchantFen: 1280, unionFen: 0 } },
    ],
    amountFen,
    discountFen: 1280,
    payableFen: amountFen - 1280,
    member: { maskedName: '张*', memberNoMasked: '5133****17' },
  });
});
const srv = app.listen(0, '127.0.0.1', () => {
  const a = srv.address();
  process.stdout.write(`listening ${typeof a === 'object' && a ? a.port : 0}\n`);
});
