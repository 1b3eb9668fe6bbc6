// The `anneal` command. Code that composes runs imports @anneal/pipeline, which this CLI is a thin front end over.
export { buildProgram, main, type CliIo } from './main.js';
export { terminalIo } from './terminal-io.js';
