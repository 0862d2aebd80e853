// Nightly purge: copies orders older than RETENTION_DAYS to the archive
// bucket in the data account, then deletes them from the table.
const AWS = require('aws-sdk');

const db = new AWS.DynamoDB.DocumentClient();
const archive = new AWS.S3({
  accessKeyId: process.env.ARCHIVE_AWS_ACCESS_KEY_ID,
  secretAccessKey: process.env.ARCHIVE_AWS_SECRET_ACCESS_KEY,
});

exports.handler = async () => {
  const cutoff = Date.now() - Number(process.env.RETENTION_DAYS) * 24 * 3600 * 1000;
  let purged = 0;
  let startKey;
  do {
    const page = await db.scan({ TableName: process.env.TABLE_NAME, ExclusiveStartKey: startKey }).promise();
    for (const order of page.Items) {
      if (Number(order.createdAt) >= cutoff) continue;
      await archive.putObject({
        Bucket: process.env.ARCHIVE_BUCKET,
        Key: `orders/${order.id}.json`,
        Body: JSON.stringify(order),
      }).promise();
      await db.delete({ TableName: process.env.TABLE_NAME, Key: { id: order.id } }).promise();
      purged++;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  console.log(`purged ${purged} orders`);
  return { purged };
};
