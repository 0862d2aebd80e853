import { Logger } from '@aws-lambda-powertools/logger';

const logger = new Logger();

export const handler = async (event: any) => {
  const { headers } = event;
  logger.info('request headers', headers); // expect: LOG-101
  return { statusCode: 204 };
};
