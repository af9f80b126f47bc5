-- CreateTable
CREATE TABLE "Collection" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "settings" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'ready',
    "activeModelId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Collection_activeModelId_fkey" FOREIGN KEY ("activeModelId") REFERENCES "Model" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Image" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "collectionId" INTEGER NOT NULL,
    "contentHash" TEXT NOT NULL,
    "originalName" TEXT NOT NULL,
    "mimeType" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "byteSize" INTEGER NOT NULL,
    "originalKey" TEXT NOT NULL,
    "thumbKey" TEXT NOT NULL,
    "label" TEXT,
    "takenAt" DATETIME,
    "camera" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Image_collectionId_fkey" FOREIGN KEY ("collectionId") REFERENCES "Collection" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Model" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "collectionId" INTEGER NOT NULL,
    "parentId" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'training',
    "config" JSONB NOT NULL,
    "metrics" JSONB,
    "checkpointKey" TEXT,
    "indexKey" TEXT,
    "embeddingDim" INTEGER NOT NULL DEFAULT 128,
    "imageCount" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Model_collectionId_fkey" FOREIGN KEY ("collectionId") REFERENCES "Collection" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Model_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Model" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Job" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "type" TEXT NOT NULL,
    "collectionId" INTEGER,
    "modelId" INTEGER,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "priority" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 3,
    "dependsOnId" INTEGER,
    "runAfter" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseOwner" TEXT,
    "leaseExpiresAt" DATETIME,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "phase" TEXT,
    "epoch" INTEGER,
    "epochs" INTEGER,
    "step" INTEGER,
    "steps" INTEGER,
    "loss" REAL,
    "imgPerSec" REAL,
    "etaSeconds" REAL,
    "resumedFromEpoch" INTEGER,
    "result" JSONB,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Job_collectionId_fkey" FOREIGN KEY ("collectionId") REFERENCES "Collection" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Job_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Job_dependsOnId_fkey" FOREIGN KEY ("dependsOnId") REFERENCES "Job" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "JobMetric" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "jobId" INTEGER NOT NULL,
    "epoch" INTEGER NOT NULL,
    "step" INTEGER NOT NULL,
    "loss" REAL NOT NULL,
    "imgPerSec" REAL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "JobMetric_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Worker" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hostname" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "backend" TEXT,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Clustering" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "modelId" INTEGER NOT NULL,
    "scale" TEXT NOT NULL,
    "m" INTEGER NOT NULL,
    "seed" INTEGER NOT NULL,
    "metrics" JSONB,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Clustering_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Cluster" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "clusteringId" INTEGER NOT NULL,
    "index" INTEGER NOT NULL,
    "size" INTEGER NOT NULL,
    "name" TEXT,
    "representativeIds" JSONB NOT NULL,
    "stability" REAL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Cluster_clusteringId_fkey" FOREIGN KEY ("clusteringId") REFERENCES "Clustering" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Membership" (
    "imageId" INTEGER NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "weight" REAL NOT NULL,
    "rank" INTEGER NOT NULL,

    PRIMARY KEY ("imageId", "clusterId"),
    CONSTRAINT "Membership_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Membership_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Collection_name_key" ON "Collection"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Collection_activeModelId_key" ON "Collection"("activeModelId");

-- CreateIndex
CREATE INDEX "Image_collectionId_id_idx" ON "Image"("collectionId", "id");

-- CreateIndex
CREATE INDEX "Image_collectionId_label_idx" ON "Image"("collectionId", "label");

-- CreateIndex
CREATE UNIQUE INDEX "Image_collectionId_contentHash_key" ON "Image"("collectionId", "contentHash");

-- CreateIndex
CREATE INDEX "Model_collectionId_createdAt_idx" ON "Model"("collectionId", "createdAt");

-- CreateIndex
CREATE INDEX "Job_status_runAfter_priority_idx" ON "Job"("status", "runAfter", "priority");

-- CreateIndex
CREATE INDEX "Job_collectionId_createdAt_idx" ON "Job"("collectionId", "createdAt");

-- CreateIndex
CREATE INDEX "Job_leaseExpiresAt_idx" ON "Job"("leaseExpiresAt");

-- CreateIndex
CREATE INDEX "JobMetric_jobId_id_idx" ON "JobMetric"("jobId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Clustering_modelId_scale_key" ON "Clustering"("modelId", "scale");

-- CreateIndex
CREATE INDEX "Cluster_clusteringId_size_idx" ON "Cluster"("clusteringId", "size");

-- CreateIndex
CREATE UNIQUE INDEX "Cluster_clusteringId_index_key" ON "Cluster"("clusteringId", "index");

-- CreateIndex
CREATE INDEX "Membership_clusterId_weight_idx" ON "Membership"("clusterId", "weight");

