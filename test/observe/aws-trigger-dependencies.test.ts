import * as http from 'http';
import { AddressInfo } from 'net';
import { awsTriggerDependencies } from '../../src/observe/aws-trigger-dependencies';

/** A local SSM endpoint whose `DescribeAutomationExecutions` answers page `n` with `pages(n)`. */
async function ssmEndpoint(pages: (n: number) => { runs: number[]; next?: string }) {
  const asked: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      asked.push(JSON.parse(body).NextToken);
      const page = pages(asked.length);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({
        AutomationExecutionMetadataList: page.runs.map((t) => ({ DocumentName: 'orders-Failover', ExecutionStartTime: t / 1000 })),
        ...(page.next ? { NextToken: page.next } : {}),
      }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('the automatic failover\'s recent runs through the AWS SDK', () => {
  const savedEnv = { ...process.env };
  beforeAll(() => Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' }));
  afterAll(() => {
    process.env = savedEnv;
  });

  test('reads every page: an empty page that comes with a token is not the end', async () => {
    const at = Date.UTC(2026, 10, 26, 1, 30);
    const ssm = await ssmEndpoint((n) => (n === 1 ? { runs: [], next: 'page-2' } : { runs: [at] }));
    try {
      expect(await awsTriggerDependencies(['us-east-1'], ssm.url).executionsStartedSince('us-east-1', 'orders-Failover', at - 3_600_000)).toEqual([at]);
      expect(ssm.asked).toEqual([undefined, 'page-2']);
    } finally {
      await ssm.close();
    }
  });

  test('a listing that does not end is refused as unread: a token seen before, or more than 21 pages', async () => {
    const again = await ssmEndpoint(() => ({ runs: [], next: 'same' }));
    const endless = await ssmEndpoint((n) => ({ runs: [], next: `page-${n + 1}` }));
    try {
      await expect(awsTriggerDependencies(['us-east-1'], again.url).executionsStartedSince('us-east-1', 'orders-Failover', 0))
        .rejects.toThrow('DescribeAutomationExecutions in us-east-1 answered a page token twice: its listing does not end');
      await expect(awsTriggerDependencies(['us-east-1'], endless.url).executionsStartedSince('us-east-1', 'orders-Failover', 0))
        .rejects.toThrow('DescribeAutomationExecutions in us-east-1 did not end after 21 pages');
      expect(endless.asked).toHaveLength(21);
    } finally {
      await again.close();
      await endless.close();
    }
  });
});
