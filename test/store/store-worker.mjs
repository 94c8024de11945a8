// A second process using a store through the built code (dist/).
// Arguments: <store> <command> ...; <store> is a directory or a postgres:// URL.
//   append <id> <who> <count> [go]  count appends of one note each ("<who> <i>"), once the file `go` exists
//   lock <id>                         take the run lock, print "held", hold it until killed
import { existsSync } from 'node:fs';
import { DirectoryStore } from '../../dist/store/directory.js';
import { openPostgresStore } from '../../dist/store/postgres.js';

const [where, command, ...args] = process.argv.slice(2);
const store = /^postgres/.test(where)
  ? await openPostgresStore({ kind: 'postgres', url: where, localDir: '', from: 'test' })
  : new DirectoryStore(where);

if (command === 'append') {
  const [id, who, count, go] = args;
  const w = await store.appender(id, { actor: who });
  while (go && !existsSync(go)) await new Promise((r) => setTimeout(r, 1));
  for (let i = 0; i < Number(count); i++) await w.appendAll([{ type: 'note_added', data: { text: `${who} ${i}` } }]);
  await w.close();
  await store.close();
} else if (command === 'lock') {
  await store.locks.run(args[0]);
  process.stdout.write('held\n');
  setInterval(() => undefined, 1000);
}
