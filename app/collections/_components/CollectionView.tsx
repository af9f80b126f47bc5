"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { ImageGrid } from "./ImageGrid";
import { UploadArea } from "./UploadArea";

/** Upload area and grid of one collection; the grid reloads after each finished upload. */
export function CollectionView({ collectionId, labels }: { collectionId: number; labels: { label: string; count: number }[] }) {
  const router = useRouter();
  const [version, setVersion] = useState(0);
  return (
    <>
      <UploadArea
        collectionId={collectionId}
        onUploaded={() => {
          setVersion((v) => v + 1);
          router.refresh(); // image count and labels in the server-rendered header
        }}
      />
      <ImageGrid collectionId={collectionId} labels={labels} version={version} />
    </>
  );
}
