export { TextParseError } from './errors';
export { parseConntrackLine, parseConntrackText, type TextParseOptions } from './parse-line';
export { parseConntrackEventLine, type ConntrackEventLine } from './parse-event';
export { parseConntrackStats, parseConntrackCount } from './parse-stats';
export { formatFlowExtended, formatFlowPlain, formatFlowEvent, type FormatOptions } from './format';
export { formatExpectation } from './format-expect';
export { ByteSink, type ByteSinkOptions } from './byte-sink';
export { writeFlowLine } from './format-bytes';
