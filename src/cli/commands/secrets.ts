/** `sluice secrets rotate` (README, "Secrets"): reseal what older keys sealed with SLUICE_SECRET_KEY. */
import { SecretBox } from '../../engine/secret-box.ts';
import { resealSecrets } from '../../engine/secret-rotation.ts';
import { command } from '../command.ts';
import { withServices } from '../context.ts';
import { printJson } from '../output.ts';

const rotate = command({
  name: 'secrets rotate',
  summary: 're-encrypt every stored password, extra and secret variable with SLUICE_SECRET_KEY (old keys in SLUICE_SECRET_KEY_PREVIOUS); then the old keys can go',
  args: [],
  flags: {},
  async run(ctx, { json }) {
    return withServices(ctx, async ({ db }) => {
      const resealed = await resealSecrets(db, new SecretBox(ctx.config.secretKeys));
      if (json) printJson(resealed);
      else console.log(`re-encrypted ${resealed.connections} connection(s) and ${resealed.variables} variable(s) with SLUICE_SECRET_KEY; SLUICE_SECRET_KEY_PREVIOUS can now be removed`);
      return 0;
    });
  },
});

export const SECRET_COMMANDS = [rotate];
