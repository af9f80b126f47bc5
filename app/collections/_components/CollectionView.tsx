"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { EmptyState } from "../../_components/EmptyState";
import { primaryButton } from "../../_components/styles";
import { ImageGrid } from "./ImageGrid";
import { UPLOAD_INPUT_ID, UploadArea } from "./UploadArea";

/** Upload area and grid of one collection; the grid reloads after each finished upload. */
export function CollectionView({ collectionId, labels, imageCount }: { collectionId: number; labels: { label: string; count: number }[]; imageCount: number }) {
  const router = useRouter();
  const [version, setVersion] = useState(0);
  const [uploading, setUploading] = useState(false);
  return (
    <>
      <UploadArea
        collectionId={collectionId}
        onQueued={() => setUploading(true)}
        onUploaded={() => {
          setVersion((v) => v + 1);
          router.refresh(); // image count and labels in the server-rendered header
        }}
      />
      {imageCount === 0 && version === 0 && !uploading ? (
        <EmptyState
          title="This collection has no photos yet"
          action={
            <button type="button" className={primaryButton} onClick={() => document.getElementById(UPLOAD_INPUT_ID)?.click()}>
              Choose photos to upload
            </button>
          }
        >
          Drop photos, a folder or a .zip on the box above, or choose files. Each file gets its own result: stored,
          duplicate or rejected with the reason. With a few dozen photos or more you can train a model on them.
        </EmptyState>
      ) : (
        <ImageGrid collectionId={collectionId} labels={labels} version={version} />
      )}
    </>
  );
}
