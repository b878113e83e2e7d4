import { describe, expect, it } from 'vitest';
import { fnv1a, internOffers, KeyTable, type Meta } from './ledger-index.ts';

const meta = (key: string, seq: number) => ({ seq, idempotencyKey: key }) as Meta;

describe('KeyTable', () => {
  it('finds every key and nothing else', () => {
    const metas = Array.from({ length: 1000 }, (_, i) => meta(`t-xlk-1-key-${i}`, i + 1));
    const t = new KeyTable(
      metas,
      Int32Array.from(metas, (m) => fnv1a(m.idempotencyKey)),
    );
    for (const m of metas) expect(t.find(m.idempotencyKey)).toBe(m);
    expect(t.find('t-xlk-1-key-1000')).toBeUndefined();
  });

  it('probes past collisions: even when every stored hash is the same', () => {
    const metas = Array.from({ length: 50 }, (_, i) => meta(`k-${i}`, i + 1));
    const t = new KeyTable(metas, new Int32Array(50).fill(fnv1a('k-0')));
    // Lookups hash the key itself, so only k-0 lands where the forced hashes put everything.
    expect(t.find('k-0')).toBe(metas[0]);
    expect(t.find('k-nope')).toBeUndefined();
  });
});

describe('fnv1a and internOffers', () => {
  it('hashes as FNV-1a 32-bit', () => {
    expect(fnv1a('') >>> 0).toBe(0x811c9dc5);
    expect(fnv1a('a') >>> 0).toBe(0xe40c292c);
  });
  it('shares one array per combination of offers', () => {
    expect(internOffers(['a-minmao', 'c-wuyi'])).toBe(internOffers(['a-minmao', 'c-wuyi']));
    expect(internOffers(['a-minmao'])).not.toBe(internOffers(['a-minmao', 'c-wuyi']));
  });
});
