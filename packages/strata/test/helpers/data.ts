import { fileURLToPath } from "node:url";

/** A file under the shared data folder that sits beside the repository checkout (../shared/data). */
export function sharedData(relative: string): string {
  return fileURLToPath(new URL(`../../../../../shared/data/${relative}`, import.meta.url));
}

/**
 * The demo's columns on a Spotify songs file (package.json's "demo"): the genre as the target,
 * artists kept on one side of a split, each track once.
 */
export function spotifyDemoArgs(csv = sharedData("spotify_songs/spotify_songs.csv")): string[] {
  return [csv, "--target", "playlist_genre", "--group", "track_artist", "--drop-duplicates", "track_id"];
}
