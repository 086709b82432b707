# One image for the api and the worker (the command picks which).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
RUN npx tsx scripts/build-workflow-bundle.ts .build/workflow-bundle.js
EXPOSE 3000 9464
CMD ["npx", "tsx", "src/api/server.ts"]
