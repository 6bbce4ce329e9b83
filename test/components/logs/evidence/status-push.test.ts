import { strict as assert } from "node:assert";
import { createServer, IncomingMessage, Server } from "node:http";
import { AddressInfo } from "node:net";
import { JobEvent, pushStatus } from "../../../../components/logs/evidence/job";

// A loopback server stands in for Loki's push API (POST /loki/api/v1/push, JSON body: docs "Ingest logs").
describe("evidence job: the run's status line, pushed into the job's own tenant", () => {
    let server: Server;
    let url: string;
    let answer = 204;
    const seen: { req: IncomingMessage; body: string }[] = [];
    before(async () => {
        server = createServer((req, res) => {
            let body = "";
            req.on("data", (c) => (body += c));
            req.on("end", () => {
                seen.push({ req, body });
                res.writeHead(answer).end();
            });
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/loki/api/v1/push`;
    });
    after(() => server.close());

    const env = () => ({
        STATUS_PUSH_URL: url,
        STATUS_USERNAME: "akko-audit-evidence-push",
        STATUS_PASSWORD: "pw-123",
        STATUS_JOB_LABEL: "akko-audit-evidence",
    });

    it("posts one line {event, status} with the job label and basic auth", async () => {
        const log: JobEvent[] = [];
        const ok = await pushStatus(env(), { event: "run", status: "ok", failedClusters: [] }, Date.parse("2026-12-02T10:00:00Z"), (e) =>
            log.push(e),
        );
        assert.equal(ok, true);
        assert.deepEqual(log, []);
        const { req, body } = seen.at(-1)!;
        assert.equal(req.method, "POST");
        assert.equal(req.headers.authorization, "Basic " + Buffer.from("akko-audit-evidence-push:pw-123").toString("base64"));
        assert.deepEqual(JSON.parse(body), {
            streams: [
                { stream: { job: "akko-audit-evidence" }, values: [["1796205600000000000", '{"event":"run","status":"ok","failedClusters":[]}']] },
            ],
        });
    });

    it("a refused push is logged without the password and fails the run; no URL pushes nothing", async () => {
        answer = 401;
        const log: JobEvent[] = [];
        assert.equal(await pushStatus(env(), { event: "run", status: "failed" }, 0, (e) => log.push(e)), false);
        assert.deepEqual(log, [{ level: "error", event: "status", message: `status push to ${url} answered HTTP 401` }]);
        assert.ok(!JSON.stringify(log).includes("pw-123"));
        const before = seen.length;
        assert.equal(await pushStatus({}, { event: "run", status: "ok" }, 0, () => assert.fail("no log")), true);
        assert.equal(seen.length, before);
    });
});
