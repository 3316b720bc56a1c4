import t from 'tap';
import { neutralizeFormula, restoreFormula } from '../../../src/domain/mapping/spreadsheetSafe.js';

t.test('every trigger character is neutralised, nothing else is touched', async (t) => {
  for (const trigger of ['=', '+', '-', '@', '\t', '\r']) t.equal(neutralizeFormula(`${trigger}1`), `'${trigger}1`, JSON.stringify(trigger));
  for (const plain of ['', 'A', '1-2', ' =x', "'", "'a", 'é=']) t.equal(neutralizeFormula(plain), plain, JSON.stringify(plain));
});

t.test('restore inverts neutralise for every string built from the tricky characters (exhaustive up to length 4)', async (t) => {
  const alphabet = ["'", '=', '-', 'a', '\t'];
  let words = [''];
  let checked = 0;
  for (let length = 1; length <= 4; length++) {
    words = words.flatMap((w) => alphabet.map((c) => w + c));
    for (const w of words) {
      if (restoreFormula(neutralizeFormula(w)) !== w) t.fail(`round trip of ${JSON.stringify(w)}`);
      checked++;
    }
  }
  t.equal(checked, 5 + 25 + 125 + 625, 'all words checked');
  t.equal(restoreFormula("'=1"), '=1');
  t.equal(restoreFormula("'x"), "'x", 'a quote before an ordinary character is part of the code');
});
