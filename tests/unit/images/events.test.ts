import { describe, expect, it } from "vitest";
import { emitImagesStored, onImagesStored } from "@/lib/images/events";

describe("onImagesStored", () => {
  it("should call every listener, survive a failing one, and unsubscribe", async () => {
    const calls: [number, number[]][] = [];
    const offBad = onImagesStored(() => {
      throw new Error("embedding service down");
    });
    const off = onImagesStored(async (c, ids) => void calls.push([c, ids]));
    await expect(emitImagesStored(7, [1, 2])).resolves.toBeUndefined();
    await emitImagesStored(7, []); // nothing stored: no call
    off();
    offBad();
    await emitImagesStored(8, [3]);
    expect(calls).toEqual([[7, [1, 2]]]);
  });
});
