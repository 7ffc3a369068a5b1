import type { NextConfig } from 'next';

const config: NextConfig = {
  // Workspace packages ship TypeScript source.
  transpilePackages: ['@ctscope/protocol', '@ctscope/conntrack'],
  poweredByHeader: false,
  reactStrictMode: true,
  // The custom server (server.ts) adds security headers and auth in front of every page.
  devIndicators: false,
  // No next/image in the app: no image optimizer endpoint (/_next/image) to fetch and resize for anyone.
  images: { unoptimized: true },
};

export default config;
