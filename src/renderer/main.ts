import { mount } from 'svelte';
import App from './App.svelte';
import { createClient } from './lib/api/client.js';
import './styles/theme.css';

const target = document.getElementById('app');
if (!target) throw new Error('LatentWatch: index.html has no #app element to mount into.');

export default mount(App, { target, props: { client: createClient() } });
