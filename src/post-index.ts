// The Action's post step: GitHub runs dist/post.js, which only calls post().
import { post } from './post.js'

await post()
