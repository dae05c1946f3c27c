import type { RegisterVerb } from './context.js';
import { notImplemented } from './not-implemented.js';

export const registerDetect: RegisterVerb = (program, ctx) => {
  program
    .command('detect')
    .description('Run the detection pipeline on one image: JSON of every box, rider, helmet verdict and plate, and an annotated JPEG.')
    .argument('<image>', 'image file (JPEG, PNG)')
    .requiredOption('-c, --config <file>', 'per-camera config file (its models section is used)')
    .action(() => ctx.exit(notImplemented('detect', ctx.io)));
};
