// Nightly purge: copies orders older than RETENTION_DAYS to the archive bucket
// in the data account, through a role assumed for the run, then deletes them.
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, ScanCommand, DeleteCommand } = require('@aws-sdk/lib-dynamodb');
const { STSClient, AssumeRoleCommand } = require('@aws-sdk/client-sts');
const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sts = new STSClient({});

async function archiveClient() {
  const { Credentials: c } = await sts.send(new AssumeRoleCommand({
    RoleArn: process.env.ARCHIVE_ROLE_ARN,
    RoleSessionName: 'orders-cleanup',
    DurationSeconds: 900,
  }));
  return new S3Client({
    credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
  });
}

exports.handler = async () => {
  const archive = await archiveClient();
  const cutoff = Date.now() - Number(process.env.RETENTION_DAYS) * 24 * 3600 * 1000;
  let purged = 0;
  let startKey;
  do {
    const page = await db.send(new ScanCommand({
      TableName: process.env.TABLE_NAME,
      FilterExpression: 'createdAt < :cutoff',
      ExpressionAttributeValues: { ':cutoff': cutoff },
      ExclusiveStartKey: startKey,
    }));
    for (const order of page.Items) {
      const { paymentToken, ...kept } = order;
      await archive.send(new PutObjectCommand({
        Bucket: process.env.ARCHIVE_BUCKET,
        Key: `orders/${order.id}.json`,
        Body: JSON.stringify(kept),
        ServerSideEncryption: 'aws:kms',
      }));
      await db.send(new DeleteCommand({ TableName: process.env.TABLE_NAME, Key: { id: order.id } }));
      purged++;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  console.log(JSON.stringify({ purged }));
  return { purged };
};
