import { Client } from 'pg';

const client = new Client();

async function findCustomer(email: string) {
  const sql = "SELECT * FROM customers WHERE email = '" + email + "'";
  return client.query(sql); // expect: CODE-003
}

export const handler = async (event: any) => {
  const body = JSON.parse(event.body);
  const rows = await findCustomer(body.email);
  return { statusCode: 200, body: JSON.stringify(rows) };
};
