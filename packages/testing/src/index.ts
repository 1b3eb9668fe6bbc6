export { packageDir, ocrModels, mnistDigits, seededRandom, randn } from './fixtures';
