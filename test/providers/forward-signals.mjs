// Runs `node <args>` as a child and forwards SIGINT/SIGTERM to it, as npx does;
// exits with the child's code (128 + signal number when a signal killed it).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const child = spawn(process.execPath, process.argv.slice(2), { stdio: 'inherit' });
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
child.on('exit', (code, signal) => process.exit(code ?? 128 + constants.signals[signal]));
