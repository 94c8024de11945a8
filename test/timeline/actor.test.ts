/**
 * Who acts: PAYCTL_ACTOR normalised (trimmed, inner whitespace one space), so
 * the same person cannot pass as another by spacing; one that is only
 * whitespace counts as unset (git user.name, then the OS user).
 */
import { describe, expect, it } from 'vitest';
import { actorName, normalActorName } from '../../src/timeline/actor.js';

describe('actorName', () => {
  it('trims PAYCTL_ACTOR and collapses its inner whitespace', async () => {
    expect(await actorName({ PAYCTL_ACTOR: ' alice ' })).toBe('alice');
    expect(await actorName({ PAYCTL_ACTOR: '\talice   smith\n' })).toBe('alice smith');
    expect(normalActorName('  bob  ')).toBe('bob');
  });

  it('a PAYCTL_ACTOR of only whitespace falls back as an unset one does', async () => {
    const unset = await actorName({});
    expect(unset).not.toBe('');
    expect(unset).toBe(normalActorName(unset));
    expect(await actorName({ PAYCTL_ACTOR: '   ' })).toBe(unset);
  });
});
