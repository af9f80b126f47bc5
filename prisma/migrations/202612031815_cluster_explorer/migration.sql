-- AlterTable
ALTER TABLE "Cluster" ADD COLUMN "centroid" BLOB;

-- AlterTable
ALTER TABLE "Membership" ADD COLUMN "similarity" REAL;

-- CreateIndex
CREATE INDEX "Membership_clusterId_rank_similarity_idx" ON "Membership"("clusterId", "rank", "similarity");

