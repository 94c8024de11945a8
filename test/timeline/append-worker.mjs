// A second process appending to a timeline, through the built writer.
// Arguments: file, actor, count [, batch [, go]]: `count` appends of one event, or
// with `batch` > 1, `count` appendAll calls of `batch` events each ("<actor> <i>.<k>");
// with `go`, the appends start once that file exists (to start two workers together).
import { existsSync } from 'node:fs';
import { TimelineWriter } from '../../dist/timeline/writer.js';

const [file, who, count, batch = '1', go] = process.argv.slice(2);
const w = new TimelineWriter(file, { actor: who });
while (go && !existsSync(go)) await new Promise((r) => setTimeout(r, 1));
const size = Number(batch);
for (let i = 0; i < Number(count); i++) {
  if (size <= 1) await w.append({ type: 'note_added', data: { text: `${who} ${i}` } });
  else await w.appendAll(Array.from({ length: size }, (_, k) => ({ type: 'note_added', data: { text: `${who} ${i}.${k}` } })));
}
