import Foundation
/// The SQL schema files shipped with the store.
enum SchemaResources { static var directory: URL? { Bundle.module.resourceURL } }
