import { renderToStaticMarkup } from "react-dom/server";
import { beforeAll, describe, expect, it } from "vitest";
import { ImageMemberships } from "@/app/collections/[id]/clusters/_components/image-memberships";
import { computeClusterings } from "@/lib/clusters/cluster.service";
import { useBackend } from "@/lib/tf/backend";
import { createCollection, createModel, unitBlobs } from "./fixtures";

describe("ImageMemberships (for the image page)", () => {
  let collectionId: number;
  let imageIds: number[];

  beforeAll(async () => {
    await useBackend("cpu");
    const blobs = unitBlobs(3, 20, 16, 0.3, 5);
    ({ collectionId, imageIds } = await createCollection("memberships", blobs.truth));
    const modelId = await createModel(collectionId, imageIds, blobs.data, blobs.d);
    await computeClusterings(modelId, { options: { scales: [{ name: "coarse", m: 3 }, { name: "fine", m: 9 }], iterations: 10, umapEpochs: 20 } });
  });

  it("should list the image's weighted clusters at every scale, coarse first, and its 12 nearest images", async () => {
    const html = renderToStaticMarkup((await ImageMemberships({ collectionId, imageId: imageIds[0] }))!);
    const scales = [...html.matchAll(/data-scale="([a-z]+)"/g)].map((m) => m[1]);
    expect(scales).toEqual(["coarse", "fine"]);
    expect(html).toMatch(/href="\/collections\/\d+\/clusters\/\d+"/);
    const nearest = html.slice(html.indexOf('data-testid="nearest"'));
    expect([...nearest.matchAll(/<img/g)]).toHaveLength(12);
    expect(nearest).not.toContain(`/api/images/${imageIds[0]}/thumb`);
  });

  it("should render nothing for a collection without a model", async () => {
    const empty = await createCollection("empty", [0]);
    expect(await ImageMemberships({ collectionId: empty.collectionId, imageId: empty.imageIds[0] })).toBeNull();
  });
});
