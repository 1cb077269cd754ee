// `node --conditions=source --import ./bench/loader/register.mjs file.ts`: runs Pool Guard's
// TypeScript sources without a build. See hooks.mjs for why the bench brings its own loader.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
