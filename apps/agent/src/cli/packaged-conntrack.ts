// Entry of the packaged conntrack command line (`ctscope -R -`, `ctscope -L ...`: lib/ctscope/conntrack.cjs,
// chosen by bin/ctscope): that layer alone, as a CommonJS bundle that node loads without its ES module
// loader or the CLI's other commands, as bin/ctscope.mjs starts dist/conntrack.mjs in a checkout.
import { conntrackSyntaxMain } from '../commands/conntrack-syntax';

void conntrackSyntaxMain(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
