export { packageDir, ocrModels, randn } from './fixtures';
