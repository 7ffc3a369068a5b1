import type { NextConfig } from 'next';

const config: NextConfig = {
  // Workspace packages ship TypeScript source.
  transpilePackages: ['@ctscope/protocol', '@ctscope/conntrack'],
  poweredByHeader: false,
  reactStrictMode: true,
  // The custom server (server.ts) adds security headers and auth in front of every page.
  devIndicators: false,
};

export default config;
