// A second process appending to a timeline, through the built writer.
import { TimelineWriter } from '../../dist/timeline/writer.js';

const [file, who, count] = process.argv.slice(2);
const w = new TimelineWriter(file, { actor: who });
for (let i = 0; i < Number(count); i++) await w.append({ type: 'note_added', data: { text: `${who} ${i}` } });
