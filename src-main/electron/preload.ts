// Preload entry: the only preload file that imports the real 'electron'.
import { contextBridge, ipcRenderer } from 'electron';
import { exposeVega } from './preload-api.js';

exposeVega({ contextBridge, ipcRenderer });
