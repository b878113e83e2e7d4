export { createLogger } from '../platform/logger.ts';
