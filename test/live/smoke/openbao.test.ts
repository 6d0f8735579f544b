import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";

describe("OpenBao from the test bed", () => {
  let bao: OpenBaoServer;
  beforeAll(async () => {
    bao = await startOpenBao();
  });
  afterAll(async () => {
    await bao?.stop();
  });

  test("GIVEN a dev server WHEN sys/health is read THEN it is initialized, unsealed and reports a 2.x version", async () => {
    const health = await bao.request("GET", "sys/health");
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ initialized: true, sealed: false });
    expect(health.body.version).toMatch(/^2\.\d+\.\d+/);
  });

  test("GIVEN the random root token WHEN a K/V v1 secret is written and read back THEN the value round-trips", async () => {
    expect((await bao.request("POST", "sys/mounts/smoke", { type: "kv", options: { version: "1" } })).status).toBe(204);
    expect((await bao.request("PUT", "smoke/a", { v: "1" })).status).toBe(204);
    const read = await bao.request("GET", "smoke/a");
    expect(read.body.data).toEqual({ v: "1" });
  });

  test("GIVEN a wrong token WHEN the API is called THEN it is refused with 403", async () => {
    const res = await bao.request("GET", "sys/mounts", undefined, { token: "not-the-root-token" });
    expect(res.status).toBe(403);
  });
});
