// Entry of the packaged agent (.deb and tarball): the whole CLI in one bundle, run by the Node.js
// runtime shipped beside it (bin/ctscope). No tsx, no node_modules lookups beyond the native addons.
import { main } from './main';

process.exitCode = await main(process.argv.slice(2));
