/** Reading --answers files (YAML), apart from answers.ts so a run without one never loads the YAML parser. */
import { SourceError } from '../errors.js';
import { readYamlSource } from '../source/yaml-file.js';
import { emptyAnswers, type Answers } from './answers.js';

/** The answers file: a YAML mapping of name → value. Anything else is exit 2 with file:line. */
export function readAnswersFile(file: string, into: Answers = emptyAnswers()): Answers {
  const src = readYamlSource(file);
  if (src.problems.length) throw new SourceError(src.problems, 'the answers file is YAML: name: value, one per line');
  const data = src.data;
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    const pos = src.doc.contents?.range ? src.lineCounter.linePos(src.doc.contents.range[0]) : { line: 1, col: 1 };
    throw new SourceError(
      [
        {
          file,
          line: pos.line,
          col: pos.col,
          message: `the answers file must be a mapping of name: value, not ${Array.isArray(data) ? 'a list' : typeof data === 'object' ? 'empty' : `a ${typeof data}`}`,
        },
      ],
      'write it as name: value, one per line (e.g. provider: stripe)',
    );
  }
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (k in into.values) continue; // --var wins
    into.values[k] = v;
    into.from[k] = 'answers';
  }
  return into;
}
