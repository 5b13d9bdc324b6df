// First: the API makes request ids with crypto.randomUUID.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getConnection } from './api/connection.js';
import { Root } from './app/Root.js';
import { askListEarly } from './chat/early-list.js';
import './styles/theme.css';
import './styles/app.css';
import './styles/chat.css';
import './styles/dashboard.css';
import './styles/settings.css';
import './styles/mcp.css';
import './styles/logs.css';
import './styles/models.css';
import './styles/attachments.css';

const el = document.getElementById('root');
if (!el) throw new Error('index.html has no #root');
const connection = getConnection();
askListEarly(connection.api);
createRoot(el).render(
  <StrictMode>
    <Root connection={connection} />
  </StrictMode>,
);
