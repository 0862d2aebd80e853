// Orders REST API: POST /orders, GET /orders/{id}, DELETE /orders/{id}.
// API Gateway has already checked the caller's Cognito token and, for POST,
// the body against the NewOrder model. AWS SDK v3 ships with the runtime.
const { randomUUID } = require('node:crypto');
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, PutCommand, GetCommand, DeleteCommand } = require('@aws-sdk/lib-dynamodb');
const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');
const { getSignedUrl } = require('@aws-sdk/s3-request-presigner');

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sqs = new SQSClient({});
const s3 = new S3Client({});

const TABLE = process.env.TABLE_NAME;
const ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

exports.handler = async (event) => {
  const caller = event.requestContext.authorizer.claims.sub;
  try {
    if (event.httpMethod === 'POST') return await createOrder(caller, JSON.parse(event.body));
    const id = event.pathParameters.id;
    if (!ORDER_ID.test(id)) return reply(400, { message: 'invalid order id' });
    if (event.httpMethod === 'GET') return await getOrder(caller, id);
    if (event.httpMethod === 'DELETE') return await deleteOrder(caller, id);
    return reply(405, { message: 'method not allowed' });
  } catch (err) {
    console.error(JSON.stringify({ requestId: event.requestContext.requestId, error: err.name }));
    return reply(500, { message: 'internal error' });
  }
};

async function createOrder(caller, input) {
  const order = {
    id: randomUUID(),
    owner: caller,
    items: input.items,
    total: input.total,
    currency: input.currency,
    paymentToken: input.paymentToken,
    status: 'NEW',
    createdAt: Date.now(),
  };
  await db.send(new PutCommand({ TableName: TABLE, Item: order, ConditionExpression: 'attribute_not_exists(id)' }));
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify({ id: order.id }) }));
  return reply(201, { id: order.id, status: order.status });
}

async function getOrder(caller, id) {
  const { Item: order } = await db.send(new GetCommand({ TableName: TABLE, Key: { id } }));
  if (!order || order.owner !== caller) return reply(404, { message: 'not found' });
  const invoiceUrl = await getSignedUrl(
    s3,
    new GetObjectCommand({ Bucket: process.env.INVOICES_BUCKET, Key: `invoices/${id}.pdf` }),
    { expiresIn: 300 },
  );
  const { paymentToken, ...visible } = order;
  return reply(200, { ...visible, invoiceUrl });
}

async function deleteOrder(caller, id) {
  try {
    await db.send(new DeleteCommand({
      TableName: TABLE,
      Key: { id },
      ConditionExpression: '#owner = :caller',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':caller': caller },
    }));
  } catch (err) {
    if (err.name === 'ConditionalCheckFailedException') return reply(404, { message: 'not found' });
    throw err;
  }
  return reply(204, null);
}

function reply(statusCode, body) {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json' },
    body: body === null ? '' : JSON.stringify(body),
  };
}
