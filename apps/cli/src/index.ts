export { buildProgram, main, type CliIo } from './main';
