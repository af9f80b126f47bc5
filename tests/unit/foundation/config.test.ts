import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "@/lib/config/env";

describe("parseEnv", () => {
  it("should fill defaults: port 3000 on 127.0.0.1, ./data, SQLite inside it, backend auto, one FAISS thread", () => {
    const e = parseEnv({});
    expect([e.PORT, e.HOST, e.LA_BACKEND, e.LA_FAISS_THREADS]).toEqual([3000, "127.0.0.1", "auto", 1]);
    expect(e.dataDir).toBe(path.resolve("data"));
    expect(e.databaseUrl).toBe(`file:${path.resolve("data", "la.db")}`);
  });

  it("should list every bad variable with its value in one error", () => {
    const bad = () => parseEnv({ PORT: "eighty", LA_BACKEND: "gpu", LA_FAISS_THREADS: "0" });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/PORT="eighty"/);
    expect(bad).toThrow(/LA_BACKEND="gpu"/);
    expect(bad).toThrow(/LA_FAISS_THREADS="0"/);
  });

  it("should honour LA_DATA_DIR and DATABASE_URL", () => {
    const e = parseEnv({ LA_DATA_DIR: "/srv/la", PORT: "8080" });
    expect([e.dataDir, e.databaseUrl, e.PORT]).toEqual(["/srv/la", "file:/srv/la/la.db", 8080]);
    expect(parseEnv({ DATABASE_URL: "file:/x.db" }).databaseUrl).toBe("file:/x.db");
  });
});
