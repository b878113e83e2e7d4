export { DataDirLockedError, lockDataDir } from '../../platform/data-dir-lock.ts';
