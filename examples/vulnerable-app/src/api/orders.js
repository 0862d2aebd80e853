// Orders REST API: POST /orders, GET /orders/{id}, DELETE /orders/{id}.
// Also answers on the function URL (payload v2) for the mobile app.
const AWS = require('aws-sdk');

const db = new AWS.DynamoDB.DocumentClient();
const ddb = new AWS.DynamoDB();
const sqs = new AWS.SQS();
const s3 = new AWS.S3();

const TABLE = process.env.TABLE_NAME;

exports.handler = async (event) => {
  console.log('request', JSON.stringify(event));
  const method = event.httpMethod || event.requestContext.http.method;
  try {
    if (method === 'POST') return await createOrder(JSON.parse(event.body));
    const id = event.pathParameters.id;
    if (method === 'GET') return await getOrder(id);
    if (method === 'DELETE') return await deleteOrder(id);
    return reply(405, { message: 'method not allowed' });
  } catch (err) {
    console.error(err);
    return reply(500, { message: err.message, stack: err.stack });
  }
};

async function createOrder(order) {
  order.id = order.id || String(Date.now());
  order.status = 'NEW';
  order.createdAt = Date.now();
  await db.put({ TableName: TABLE, Item: order }).promise();
  await sqs.sendMessage({ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify(order) }).promise();
  return reply(201, order);
}

async function getOrder(id) {
  // PartiQL, so the BI team can paste the same query into the console
  const res = await ddb.executeStatement({
    Statement: `SELECT * FROM "${TABLE}" WHERE id = '${id}'`,
  }).promise();
  if (res.Items.length === 0) return reply(404, { message: 'not found' });
  const order = AWS.DynamoDB.Converter.unmarshall(res.Items[0]);
  order.invoiceUrl = s3.getSignedUrl('getObject', {
    Bucket: process.env.INVOICES_BUCKET,
    Key: `invoices/${id}.pdf`,
    Expires: 7 * 24 * 3600,
  });
  return reply(200, order);
}

async function deleteOrder(id) {
  await db.delete({ TableName: TABLE, Key: { id } }).promise();
  return reply(204, {});
}

function reply(statusCode, body) {
  return {
    statusCode,
    headers: { 'Access-Control-Allow-Origin': '*' },
    body: JSON.stringify(body),
  };
}
