//! The rows the services answer with, as plain data: pages and the API map them to what they
//! show. The store that reads and writes them stays inside the engine.

pub use crate::store::actions::ActionRecord;
pub use crate::store::agents::{AgentRecord, KeyRecord};
pub use crate::store::alerts::AlertRecord;
pub use crate::store::capabilities::CapabilityRecord;
pub use crate::store::grants::GrantRecord;
pub use crate::store::peer_checks::PeerCheckRecord;
pub use crate::store::templates::TemplateRecord;
