/** Structured logs (pino). Card data never reaches them: credential fields are redacted by path. */
import { pino, type Logger } from 'pino';

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { svc: 'huika' },
      redact: {
        paths: [
          'credential',
          '*.credential',
          'pan',
          '*.pan',
          'track',
          '*.track',
          'data',
          '*.data',
          'req.headers.authorization',
          'headers.authorization',
          'password',
          '*.password',
          'token',
          '*.token',
        ],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination as pino.DestinationStream | undefined,
  );
}
