// Entry of the packaged `ctscope list` (lib/ctscope/list.cjs, chosen by bin/ctscope): the listing alone,
// as a CommonJS bundle that node loads without its ES module loader or the CLI's other commands, as
// bin/ctscope.mjs starts dist/list.mjs in a checkout. argv is the whole command line, `list` first.
import { listMain } from '../commands/list';

void listMain(process.argv.slice(3)).then((code) => {
  process.exitCode = code;
});
